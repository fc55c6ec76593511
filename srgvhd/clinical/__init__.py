"""Clinical engine: MAGIC staging and grading, Minnesota risk, response, steroid-refractoriness.

Imports neither pandas nor the risk model; every function is pure and typed.
"""
