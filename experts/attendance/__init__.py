"""Attendance: check-in and check-out (opening and closing the routing seat), no-shows and the
shift sweep."""
