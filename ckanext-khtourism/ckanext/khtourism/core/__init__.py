"""The base room: names every other room may import (roles, states, record types, messages)."""
