import { Dialog } from "./Dialog";

interface ImageLightboxProps {
  /** What to show (a stored copy or the URL); null: nothing (closed or still loading). */
  src: string | null;
  /** The image's own address, for "Open original" (not for data URIs). */
  original?: string;
  alt: string;
  onClose: () => void;
}

/** Shows one image large, in a dialog (Escape or a click outside closes it). */
export function ImageLightbox({ src, original = src ?? "", alt, onClose }: ImageLightboxProps) {
  return (
    <Dialog open={src !== null} onClose={onClose} title={alt} hideTitle className="w-[min(100vw-2rem,64rem)]">
      {src && <img src={src} alt={alt} className="mx-auto max-h-[75dvh] rounded-lg object-contain" />}
      {src && /^https?:/i.test(original) && (
        <p className="mt-3 text-center text-sm">
          <a
            href={original}
            target="_blank"
            rel="noopener noreferrer"
            className="text-accent-text hover:underline"
          >
            Open original
          </a>
        </p>
      )}
    </Dialog>
  );
}
