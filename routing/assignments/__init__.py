"""Assignments: the expert holding an inquiry replies, resolves, releases or hands it back."""
