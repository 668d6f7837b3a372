"""Quotes and who said them: the quote finder, the evidence frames of reported speech, what a phrase stands for, and the learned speaker model."""
