import { useState } from "react";
import { ImageLightbox } from "../ui/ImageLightbox";

interface ImageGridProps {
  images: readonly string[];
  /** Accessible name of each image, numbered from 1. */
  label: string;
  size: "small" | "large";
}

/** Thumbnails that open large on click. */
export function ImageGrid({ images, label, size }: ImageGridProps) {
  const [open, setOpen] = useState<number | null>(null);
  const box = size === "small" ? "h-24 w-24" : "max-h-80 max-w-full sm:max-w-sm";
  return (
    <>
      <ul className="flex flex-wrap gap-2" aria-label={`${label}s`}>
        {images.map((src, i) => (
          <li key={`${i}-${src.slice(-24)}`}>
            <button
              type="button"
              onClick={() => setOpen(i)}
              className="overflow-hidden rounded-lg border border-line bg-surface"
              aria-label={`View ${label.toLowerCase()} ${i + 1}`}
            >
              <img src={src} alt={`${label} ${i + 1}`} loading="lazy" className={`${box} object-cover`} />
            </button>
          </li>
        ))}
      </ul>
      <ImageLightbox
        src={open === null ? null : (images[open] ?? null)}
        alt={`${label} ${(open ?? 0) + 1}`}
        onClose={() => setOpen(null)}
      />
    </>
  );
}
