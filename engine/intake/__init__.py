"""Batch intake for sales systems: JSON Lines and CSV records in, triage rows or assessments out.
"""
