#!/bin/sh
# Regenerates demo_speech.wav: three synthesized English phrases separated by silences,
# mixed with light pink noise; 16 kHz, mono, 16-bit PCM. Needs espeak-ng and sox
# (Debian: apt-get install -y espeak-ng sox). `sox -R` keeps the noise repeatable.
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

i=0
for text in \
  "Hello, this is a short speech test." \
  "The edge runtime finds each phrase." \
  "Then it draws the spectrogram."; do
  i=$((i + 1))
  espeak-ng -v en-us -s 175 -a 120 -w "$tmp/raw$i.wav" "$text"
  # 16 kHz mono 16-bit, leading and trailing silence trimmed.
  sox -R "$tmp/raw$i.wav" -r 16000 -c 1 -b 16 "$tmp/p$i.wav" \
    silence 1 0.01 0.5% reverse silence 1 0.01 0.5% reverse
done

sil() { sox -R -n -r 16000 -c 1 -b 16 "$tmp/s$1.wav" trim 0 "$2"; }
sil 0 0.50
sil 1 0.70
sil 2 0.70
sil 3 0.50
sox -R "$tmp/s0.wav" "$tmp/p1.wav" "$tmp/s1.wav" "$tmp/p2.wav" "$tmp/s2.wav" "$tmp/p3.wav" \
  "$tmp/s3.wav" "$tmp/speech.wav" gain -n -3
dur=$(soxi -D "$tmp/speech.wav")
sox -R -n -r 16000 -c 1 -b 16 "$tmp/noise.wav" synth "$dur" pinknoise vol 0.02
sox -R -m -v 1 "$tmp/speech.wav" -v 1 "$tmp/noise.wav" -b 16 demo_speech.wav
soxi demo_speech.wav
