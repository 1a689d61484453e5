"""A team's own frameworks, schemes and crosswalks (issue 18, Deliver 4)."""
