"""The live room: wire protocol, commands, event log, broker and fan-out."""
