import { downloadZip } from 'client-zip';

/** A file picked with a folder input: `webkitRelativePath` is "folder/sub/file". */
export interface PickedFile {
  name: string;
  webkitRelativePath: string;
  lastModified: number;
}

/** The folder's name and each file's path inside it (the picked folder itself is the zip's root). */
export function folderLayout(files: readonly PickedFile[]): { folder: string; names: string[] } {
  const paths = files.map((f) => f.webkitRelativePath || f.name);
  const folder = paths[0]?.split('/')[0] ?? 'folder';
  const names = paths.map((p) => (p.startsWith(`${folder}/`) ? p.slice(folder.length + 1) : p));
  return { folder, names };
}

/** Zips a picked folder in the browser (client-zip) into `<folder>.zip`, ready to upload. */
export async function zipFolder(files: readonly File[]): Promise<File> {
  const { folder, names } = folderLayout(files);
  const blob = await downloadZip(
    files.map((file, i) => ({ name: names[i], input: file, lastModified: new Date(file.lastModified) })),
  ).blob();
  return new File([blob], `${folder}.zip`, { type: 'application/zip' });
}
