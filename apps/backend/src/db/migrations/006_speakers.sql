-- Speakers (issue "Speakers"). `speaker_counts` is how many speakers the
-- diarizer should look for, as request-process took it ({num_speakers?,
-- min_speakers?, max_speakers?}; NULL: found from the audio), passed on to the
-- ML service with the job. `caption_speakers` holds the names the person gave
-- the speakers ([{id, name}], as CaptionSpeakerList); NULL: none given yet,
-- the diarizer's speakers are named `Speaker 1`, `Speaker 2`, … . Names live
-- apart from `captions` so a rename survives a restore of the captions.
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS speaker_counts jsonb;
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS caption_speakers jsonb;
