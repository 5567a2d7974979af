"""Running a compiled plan: the evaluator, and the same evaluator streamed, in processes, on Dask."""
