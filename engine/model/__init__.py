"""The data models: answers in, assessment out, the vocabulary of stable ids, and the strict
loading helpers (YAML, pydantic error messages, did-you-mean) they share.
"""
