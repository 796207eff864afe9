"""Brand certification: training packs and quizzes, grants and revocations."""
