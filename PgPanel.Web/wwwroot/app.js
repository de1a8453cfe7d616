// Downloads text produced by the server (the exported plan script) without a second request.
window.pgpanelDownload = (fileName, text) => {
  const url = URL.createObjectURL(new Blob([text], { type: "text/x-shellscript" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  document.body.appendChild(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
};
window.pgpanelCopy = (text) => navigator.clipboard ? navigator.clipboard.writeText(text) : Promise.resolve();
