"""dlgraph: a deep-learning flashcard deck as a typed concept graph you can query, study and map."""

__version__ = "0.1.0"
