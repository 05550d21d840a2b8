"""From firings to an assessment: assembly, scheduling on the working-day calendar, the shape
memo, the what-if diff, and :mod:`engine.pipeline.run` which chains the stages.
"""
