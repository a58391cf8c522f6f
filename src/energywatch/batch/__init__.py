"""Batch processing of large archives (issue 8): partitioned steps and the Ray runner."""
