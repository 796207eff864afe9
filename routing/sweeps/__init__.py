"""The periodic sweeps that re-route anything stuck, so a lost message loses nothing."""
