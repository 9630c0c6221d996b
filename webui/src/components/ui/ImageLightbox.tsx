import { Dialog } from "./Dialog";

interface ImageLightboxProps {
  src: string | null;
  alt: string;
  onClose: () => void;
}

/** Shows one image large, in a dialog (Escape or a click outside closes it). */
export function ImageLightbox({ src, alt, onClose }: ImageLightboxProps) {
  return (
    <Dialog open={src !== null} onClose={onClose} title={alt} hideTitle className="w-[min(100vw-2rem,64rem)]">
      {src && <img src={src} alt={alt} className="mx-auto max-h-[75dvh] rounded-lg object-contain" />}
      {src && !src.startsWith("data:") && (
        <p className="mt-3 text-center text-sm">
          <a href={src} target="_blank" rel="noopener noreferrer" className="text-accent-text hover:underline">
            Open original
          </a>
        </p>
      )}
    </Dialog>
  );
}
