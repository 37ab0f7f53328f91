"""Nutrition tools: log meals by chat, barcodes (typed or photographed), quick add, custom foods and
recipes, favourites, the day and the week, body weight, targets that adapt (approved by a button),
MyFitnessPal/Cronometer import and CSV export.

Thin adapters over `nutrition/`: every number in a reply is computed there. Common phrasings have a
`match` fast path, so "had 2 eggs and a slice of toast for breakfast" is parsed, matched and logged
without a model; a food that could be several things comes back as buttons, an absurd amount as a
confirmation button, and nothing is ever guessed.

One module per group of tools; importing the package registers them all."""

from agent.tools.nutrition import body, custom, days, diary, edits, foods, targets, transfer  # noqa: F401
