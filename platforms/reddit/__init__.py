"""Reddit through asyncpraw: client plumbing, reading, replying and the simulator."""
