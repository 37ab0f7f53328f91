"""Our own punch-type classifier: a small MLP over 6-frame COCO-17 keypoint windows.

Trained by `powerforge models train punch-classifier` from the cs229 hand-labelled broadcast
windows plus the user's own corrections, exported to ONNX, quantised to int8 and pruned; the report
compares fp32 / int8 / pruned (macro-F1, size, latency) against the rule baseline on a split held out
by fighter/video. Weights are produced by that command, never committed.
"""

CLASSES = ("none", "straight", "hook", "uppercut")
WINDOW = 6  # frames per window
STEP_S = 2 / 30  # spacing of the window's frames (every 2nd frame at 30 fps, as in the cs229 data)
MODEL_NAME = "punch-classifier"
