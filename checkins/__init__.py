"""Check-ins: scheduled messages from the coach (reminders, readiness questions, reviews).

Pure domain code: parsing schedules from plain English, next-run arithmetic across DST, composing
the message at send time, and the scheduler that writes due messages to the outbox. No chat code.
"""
