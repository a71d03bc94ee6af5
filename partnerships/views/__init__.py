"""Pages of the partnerships section, by area: agreements and sessions, teachers and tutors, the bank and events."""
