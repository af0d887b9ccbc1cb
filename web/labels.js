// Labels from file names and folders: the same rules as core/train/dataset.cpp.
//
// - RAVDESS names `MM-VV-EE-II-SS-RR-AA.wav` (modality, vocal channel 01 speech / 02 song, emotion,
//   intensity, statement, repetition, actor). Emotions 01..06 are the models' six labels; 07 disgust
//   and 08 surprised exist only in speech and are unknown to the song models.
// - Otherwise a folder per label: .../<label>/file.wav, when <label> is one of the six emotions.

/// The six emotions of RAVDESS song, in the order the models use.
export const EMOTIONS = ['neutral', 'calm', 'happy', 'sad', 'angry', 'fearful'];
const RAVDESS_EMOTIONS = [...EMOTIONS, 'disgust', 'surprised'];

/// Fields of a RAVDESS file name, or null when `file_name` is not one.
export function parse_ravdess(file_name) {
    const stem = file_name.replace(/\.[^.]*$/, '');
    const m = /^(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)$/.exec(stem);
    if (!m) return null;
    const f = m.slice(1).map(Number);
    if (f[0] < 1 || f[0] > 3 || f[1] < 1 || f[1] > 2 || f[2] < 1 || f[2] > 8 || f[6] < 1 || f[6] > 99) return null;
    return { emotion: f[2], song: f[1] === 2, actor: f[6] };
}

/// The true label and actor of a file: {label: string ('' when unknown), actor: number (-1 unknown),
/// known: whether `label` is one of EMOTIONS}. rel_path: the path inside a picked/dropped folder, or ''.
export function label_of(file_name, rel_path = '') {
    const r = parse_ravdess(file_name);
    if (r) {
        const label = RAVDESS_EMOTIONS[r.emotion - 1];
        return { label, actor: r.actor, known: EMOTIONS.includes(label) };
    }
    const parts = rel_path.split('/').filter(Boolean);
    if (parts.length >= 2) {
        const folder = parts[parts.length - 2].toLowerCase();
        if (EMOTIONS.includes(folder)) return { label: folder, actor: -1, known: true };
    }
    return { label: '', actor: -1, known: false };
}
