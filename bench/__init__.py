"""Benchmark scripts: each prints figures for one path through the stack, on throwaway stores."""
