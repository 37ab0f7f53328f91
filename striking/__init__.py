"""Striking lab: punches, combinations and guard habits from a boxer's keypoint track.

Pure domain code (no chat, no UI): `track` turns per-frame keypoints into one athlete's smoothed
track, `punches` finds and types punches, `habits` measures guard habits, `report` assembles the
round report, `questions` answers follow-ups from the data, `analyse` runs it all on a video.
"""
