import { useEffect } from 'react';

/**
 * Shows the newest caption track of the video and disables the older ones:
 * a <track> whose src changes is not reloaded by browsers, so each rebuild
 * mounts a new one. With the expressive overlay on, the newest track stays
 * loaded but hidden: the overlay draws the captions.
 */
export function useTrackModes(video: HTMLVideoElement | null, vttUrl: string | null, overlayOn: boolean): void {
  useEffect(() => {
    const tracks = video?.textTracks;
    if (!tracks) return;
    const newest = overlayOn ? 'hidden' : 'showing';
    for (let i = 0; i < tracks.length; i++) tracks[i]!.mode = i === tracks.length - 1 ? newest : 'disabled';
  }, [vttUrl, video, overlayOn]);
}
