"""Petitions (phản ánh, kiến nghị): intake, the workflow, deadlines and escalation, public answers, Open311."""
