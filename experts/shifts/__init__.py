"""Shifts: publishing slots, booking, cancelling, the waitlist, schedules and reminders."""
