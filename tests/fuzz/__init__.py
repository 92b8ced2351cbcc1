"""The fuzz harness (`make fuzz`): generated and mutated courses through exporter in-process, judged by `oracle`."""
