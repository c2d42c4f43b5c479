"""Plain Python and Django shared by the apps, below all of them: it imports none."""
