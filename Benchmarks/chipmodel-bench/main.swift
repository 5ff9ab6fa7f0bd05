// chipmodel-bench: the release benchmark (issue 8). Placeholder until the benchmark lands.
print("chipmodel-bench: not implemented yet")
