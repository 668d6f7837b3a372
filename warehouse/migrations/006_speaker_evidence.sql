-- A quote's speaker keeps its evidence: the words that named them and how sure the model is.
ALTER TABLE quotations RENAME COLUMN confidence TO speaker_confidence;
ALTER TABLE quotations ADD COLUMN speaker_phrase VARCHAR;
COMMENT ON COLUMN quotations.speaker_confidence IS 'Probability, by the speaker model, that speaker is right (0 to 1); NULL when no speaker is named. Filter on it for precision: the model names nobody below the threshold it was trained with.';
COMMENT ON COLUMN quotations.speaker_phrase IS 'The words of the text that point to the speaker: a name, a pronoun (-t-il), a title (le maire) or a body (la préfecture de la Gironde); NULL for a run of quotes or the context.';
COMMENT ON COLUMN quotations.attribution_rule IS 'How the speaker was found: the frame and the kind of phrase, as frame/kind (incise/name, cue/pronoun, according/title, colon/name, signed/name, clause/name...), continuation for a run of quotes, context for the neighbourhood alone.';
COMMENT ON COLUMN quotations.cue IS 'The verb of saying, preposition (selon) or colon that ties the quote to its speaker.';
