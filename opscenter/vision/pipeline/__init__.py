"""The camera analytics pipeline: plain Python and OpenCV, no Django, so that the worker, the offline
analysis command and the benchmarks run it without the server."""
