"""Evaluation and benchmarks: run the pipeline on shared data and score it."""
