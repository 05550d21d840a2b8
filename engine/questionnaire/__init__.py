"""The questionnaire as data (``questionnaires/*.yaml``) and the flow that asks it, with drafts;
no terminal code lives here.
"""
