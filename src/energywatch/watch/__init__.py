"""Live monitoring: watch feeds, detect new or changed incidents, and deliver alerts."""
