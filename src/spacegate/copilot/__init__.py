"""Seed 004's copilot: chats with experts, personas, actions, insights and arguments."""
