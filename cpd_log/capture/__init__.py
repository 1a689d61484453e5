"""Quick capture: "Log it now" on a phone, completed later from the dashboard."""
