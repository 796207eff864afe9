"""Expert seats: routing's view of who is on shift, with what capacity and load."""
