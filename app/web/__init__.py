"""Server-rendered pages: the phone, the projector, the facilitator console and their forms."""
