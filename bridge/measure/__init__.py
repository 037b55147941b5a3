"""Measurement: speech accuracy of the embedded engine and the benchmarks (`make accuracy`,
`make bench`). Nothing in the running bridge imports this package.
"""
