"""Practice modes beside spaced repetition: tests, Learn rounds and the Match game (pure logic)."""
