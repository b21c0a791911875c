"""The package's own tests: the library against a real binary, the plugin through pytester.

The binary comes from $WORKLOAD_EMULATOR_BIN (scripts/test-python.sh sets it)."""

pytest_plugins = ["pytester"]
