print("workload-emulator: not built yet")
