"""Starting, watching and stopping the project's processes, for the tests and the benchmarks.

Every process binds 127.0.0.1 on a free port and is stopped by its PID. Not shipped in the wheel.
"""
