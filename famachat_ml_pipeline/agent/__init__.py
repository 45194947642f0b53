"""The pt-BR media-buying assistant over the pipeline's results (seed section 6)."""
