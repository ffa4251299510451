"""Platforms and stores (STO-01…05): onboarding requirements per platform, store onboarding
applications, store profile change requests, and the qualification archive with expiry."""
