"""Expert profiles: the core record every other expert capability hangs on."""
