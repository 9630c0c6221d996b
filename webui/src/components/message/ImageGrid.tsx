import { useState } from "react";
import { useImageSrc } from "../../hooks/useImageSrc";
import { ImageLightbox } from "../ui/ImageLightbox";

interface ImageGridProps {
  images: readonly string[];
  /** Accessible name of each image, numbered from 1. */
  label: string;
  size: "small" | "large";
}

function Thumbnail({ url, alt, box }: { url: string; alt: string; box: string }) {
  const src = useImageSrc(url);
  if (src === null) return <span className={`${box} block min-h-24 min-w-24 animate-pulse bg-ink/5`} />;
  return <img src={src} alt={alt} loading="lazy" className={`${box} object-cover`} />;
}

function Lightbox({ url, alt, onClose }: { url: string; alt: string; onClose: () => void }) {
  const src = useImageSrc(url);
  return <ImageLightbox src={src} original={url} alt={alt} onClose={onClose} />;
}

/** Thumbnails that open large on click (generated images from their stored copy). */
export function ImageGrid({ images, label, size }: ImageGridProps) {
  const [open, setOpen] = useState<number | null>(null);
  const box = size === "small" ? "h-24 w-24" : "max-h-80 max-w-full sm:max-w-sm";
  const openUrl = open === null ? undefined : images[open];
  return (
    <>
      <ul className="flex flex-wrap gap-2" aria-label={`${label}s`}>
        {images.map((url, i) => (
          <li key={`${i}-${url.slice(-24)}`}>
            <button
              type="button"
              onClick={() => setOpen(i)}
              className="overflow-hidden rounded-lg border border-line bg-surface"
              aria-label={`View ${label.toLowerCase()} ${i + 1}`}
            >
              <Thumbnail url={url} alt={`${label} ${i + 1}`} box={box} />
            </button>
          </li>
        ))}
      </ul>
      {openUrl !== undefined && (
        <Lightbox url={openUrl} alt={`${label} ${(open ?? 0) + 1}`} onClose={() => setOpen(null)} />
      )}
    </>
  );
}
