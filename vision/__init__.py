"""Lift video lab: video I/O, plate tracking, bar kinematics and load-velocity profiles (no chat code)."""
