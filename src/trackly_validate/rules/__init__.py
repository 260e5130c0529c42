"""Field rules written once and used by every model (phones, URLs, ids, text caps…)."""
